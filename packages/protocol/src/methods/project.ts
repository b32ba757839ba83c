/** project.*: a project's instance dirs and its containers. */
import { Type, type Static } from '@sinclair/typebox';
import { EngineSocket, method, params } from './spec.js';

export const DoctorReport = Type.Object(
  {
    orphanedContainers: Type.Array(Type.String(), { description: "names of the project's containers without an instance dir" }),
    staleInstanceDirs: Type.Array(Type.String(), { description: 'instance dirs (absolute paths) without a container' }),
    healthy: Type.Integer({ description: 'containers with their instance dir' }),
  },
  { $id: 'DoctorReport' },
);
export type DoctorReport = Static<typeof DoctorReport>;

export const ProjectRoot = Type.String({ pattern: '^/', description: 'Absolute path of a directory holding .pocketdock/pocketdock.yaml' });

export const PROJECT_METHODS = {
  'project.doctor': method(
    params({ projectRoot: ProjectRoot, socketPath: Type.Optional(EngineSocket) }),
    DoctorReport,
    "Cross-references a project's instance dirs with its containers.",
  ),
} as const;
