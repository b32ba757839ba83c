/** Generated container names: pd-<8 hex>, as the reference does. */
import { randomBytes } from 'node:crypto';

export const generateName = (): string => `pd-${randomBytes(4).toString('hex')}`;
