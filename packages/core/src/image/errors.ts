import { UnionMLError } from '@unionml/errors';

/** The app's image cannot be named, staged or built as asked. */
export class ImageError extends UnionMLError {
  constructor(code: 'IMAGE_REGISTRY_REQUIRED' | 'IMAGE_NAME_INVALID' | 'IMAGE_CONTEXT_INVALID' | 'IMAGE_PACK_FAILED', message: string, hint?: string) {
    super(code, message, { hint });
  }
}
