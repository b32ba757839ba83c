/**
 * image.*: building the profiles' images, and moving them to and from tar(.gz) archives that live
 * where the client runs. Archives travel through the transfer channel like files (file.ts's
 * TRANSFER_ROUTE): an export is a download (abandoned with file.cancel), an import an upload.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TRANSFER_ROUTE } from '../constants.js';
import { EngineSocket, method, params, notification } from './spec.js';

const ProfileName = Type.String({ minLength: 1, description: 'Profile name, e.g. "minimal-python"' });
const Profiles = Type.Array(ProfileName, { minItems: 1, uniqueItems: true, description: 'Profiles to act on; all of them when absent' });
const TransferId = Type.String({ minLength: 1 });

export const ImageBuildResult = Type.Object({
  profile: Type.String(),
  tag: Type.String({ description: 'Image tag, pocketdock/<profile>' }),
  built: Type.Boolean({ description: "False when the image already matched its profile's files" }),
  seconds: Type.Number({ description: 'Build time; 0 when not built' }),
  size: Type.Integer({ description: 'Image size in bytes' }),
});
export type ImageBuildResult = Static<typeof ImageBuildResult>;

export const ImportedImage = Type.Object({
  tag: Type.String(),
  profile: Type.Optional(Type.String({ description: 'The profile the image was built from (its pocketdock.profile label)' })),
  contentHash: Type.Optional(Type.String({ description: 'Its pocketdock.content-hash label' })),
  current: Type.Boolean({ description: "The content hash matches this daemon's profile files, so image.build will not rebuild it" }),
  size: Type.Integer({ description: 'Image size in bytes' }),
});
export type ImportedImage = Static<typeof ImportedImage>;

/** What `PUT /transfers/<uploadId>` answers for an image.importStart upload. */
export const ImportResult = Type.Object({ images: Type.Array(ImportedImage) });
export type ImportResult = Static<typeof ImportResult>;

export const ImageProgress = Type.Object({
  buildId: Type.String(),
  profile: Type.String(),
  step: Type.Optional(Type.Integer({ description: 'Dockerfile step the line belongs to' })),
  total: Type.Optional(Type.Integer({ description: 'Steps in the Dockerfile' })),
  line: Type.String(),
});
export type ImageProgress = Static<typeof ImageProgress>;

export const IMAGE_NOTIFICATIONS = {
  'image.progress': notification(ImageProgress, "One line of an image.build's output, to the connection that asked for the build."),
} as const;

export const IMAGE_METHODS = {
  'image.build': method(
    params({
      profiles: Type.Optional(Profiles),
      force: Type.Optional(Type.Boolean({ description: "Rebuild even when an image matches its profile's files" })),
      buildId: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 128,
          description: 'Echoed in image.progress notifications; the daemon picks one when absent',
        }),
      ),
      socketPath: Type.Optional(EngineSocket),
    }),
    Type.Object({ buildId: Type.String(), images: Type.Array(ImageBuildResult) }),
    'Builds profile images that are missing or out of date, one at a time, bootstrapping the Debian base offline when no registry answers; WebSocket callers get image.progress notifications.',
  ),
  'image.export': method(
    params({
      profiles: Type.Optional(Profiles),
      gzip: Type.Optional(Type.Boolean({ description: 'Compress the archive (.tar.gz)' })),
      socketPath: Type.Optional(EngineSocket),
    }),
    Type.Object({
      downloadId: TransferId,
      tags: Type.Array(Type.String()),
      size: Type.Integer({
        minimum: 0,
        description:
          "About how many bytes the archive holds before compression (the images' layers, each counted once): for progress, not exact",
      }),
    }),
    `Opens a download of built profile images as one \`docker save\` archive: GET ${TRANSFER_ROUTE}<downloadId>.`,
  ),
  'image.importStart': method(
    params({ socketPath: Type.Optional(EngineSocket) }),
    Type.Object({ uploadId: TransferId }),
    `Opens an upload of an image archive (tar or tar.gz, as image.export writes) into the engine: PUT ${TRANSFER_ROUTE}<uploadId> answers { images } once it is loaded and every loaded image was checked (its labels, and that a container of it runs \`true\`).`,
  ),
} as const;
