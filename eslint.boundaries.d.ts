// Types for eslint.boundaries.js, which the boundaries test imports.
import type { Linter } from 'eslint';

declare const boundaries: Linter.Config[];
export default boundaries;
