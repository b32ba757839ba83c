/** profile.*: the image profiles containers are created from. */
import { Type, type Static } from '@sinclair/typebox';
import { method, params } from './spec.js';

export const ProfileInfo = Type.Object(
  {
    name: Type.String(),
    imageTag: Type.String(),
    dockerfileDir: Type.String(),
    networkDefault: Type.Boolean({ description: 'whether containers of this profile get a network besides loopback' }),
    description: Type.String(),
    sizeEstimate: Type.String({
      description:
        'The built image\'s size on the default engine, e.g. "291.4 MB"; until it is built, the profile table\'s estimate, e.g. "~600 MB"',
    }),
  },
  { $id: 'ProfileInfo' },
);
export type ProfileInfo = Static<typeof ProfileInfo>;

export const PROFILE_METHODS = {
  'profile.list': method(params({}), Type.Array(ProfileInfo), 'Every image profile.'),
  'profile.resolve': method(params({ name: Type.String({ minLength: 1 }) }), ProfileInfo, 'One image profile by name.'),
} as const;
