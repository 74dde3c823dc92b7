// An app that fails while loading.
import { type Model } from '@unionml/core';

export const model: Model | undefined = undefined;
throw new Error('broken app: the database is unreachable');
