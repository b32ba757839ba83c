/**
 * Lifecycle beyond create/run: listing, stopping, resuming, destroying, pruning, rebooting and
 * snapshotting containers; project health (doctor); image profiles.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ContainerHandle } from '../types.js';
import { EngineSocket, addressed, method, params } from './spec.js';

export const ContainerListItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String({ description: '"running", "exited", "created", …' }),
  image: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  persist: Type.Boolean(),
  project: Type.String({ description: '"" when the container has no project' }),
}, { $id: 'ContainerListItem' });
export type ContainerListItem = Static<typeof ContainerListItem>;

export const DoctorReport = Type.Object({
  orphanedContainers: Type.Array(Type.String(), { description: 'names of the project\'s containers without an instance dir' }),
  staleInstanceDirs: Type.Array(Type.String(), { description: 'instance dirs (absolute paths) without a container' }),
  healthy: Type.Integer({ description: 'containers with their instance dir' }),
}, { $id: 'DoctorReport' });
export type DoctorReport = Static<typeof DoctorReport>;

export const ProfileInfo = Type.Object({
  name: Type.String(),
  imageTag: Type.String(),
  dockerfileDir: Type.String(),
  networkDefault: Type.Boolean({ description: 'whether containers of this profile get a network besides loopback' }),
  description: Type.String(),
  sizeEstimate: Type.String({ description: 'The built image\'s size on the default engine, e.g. "291.4 MB"; until it is built, the profile table\'s estimate, e.g. "~600 MB"' }),
}, { $id: 'ProfileInfo' });
export type ProfileInfo = Static<typeof ProfileInfo>;

export const ProjectRoot = Type.String({ pattern: '^/', description: 'Absolute path of a directory holding .pocketdock/pocketdock.yaml' });
export const ImageName = Type.String({ pattern: '^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$', maxLength: 255, description: 'repository[:tag]' });

export const LIFECYCLE_METHODS = {
  'container.list': method(
    params({ project: Type.Optional(Type.String()), socketPath: Type.Optional(EngineSocket) }),
    Type.Array(ContainerListItem),
    'Every managed container, running or stopped, optionally of one project.'),
  'container.resume': method(
    addressed({}),
    ContainerHandle,
    'Starts a stopped container again, file system intact; a running one is returned as is.'),
  'container.stop': method(
    addressed({}),
    Type.Null(),
    'Stops a container without removing it, whatever persist says.'),
  'container.destroy': method(
    addressed({}),
    Type.Null(),
    'Removes a container whatever persist says, and its instance dir.'),
  'container.prune': method(
    params({ project: Type.Optional(Type.String()), socketPath: Type.Optional(EngineSocket) }),
    Type.Integer({ minimum: 0, description: 'how many containers were removed' }),
    'Removes every stopped managed container (optionally of one project).'),
  'container.reboot': method(
    addressed({ fresh: Type.Optional(Type.Boolean({ description: 'recreate from the image with the same settings' })) }),
    ContainerHandle,
    'Restarts a container; fresh recreates it (new id, same name, labels and settings).'),
  'container.snapshot': method(
    addressed({ imageName: ImageName }),
    Type.String({ description: 'the new image\'s id' }),
    'Commits the container\'s file system to an image.'),
  'project.doctor': method(
    params({ projectRoot: ProjectRoot, socketPath: Type.Optional(EngineSocket) }),
    DoctorReport,
    'Cross-references a project\'s instance dirs with its containers.'),
  'profile.list': method(
    params({}),
    Type.Array(ProfileInfo),
    'Every image profile.'),
  'profile.resolve': method(
    params({ name: Type.String({ minLength: 1 }) }),
    ProfileInfo,
    'One image profile by name.'),
} as const;
