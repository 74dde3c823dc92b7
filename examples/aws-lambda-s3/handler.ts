/**
 * The app on AWS Lambda, triggered by S3: for each object created under features/ with a .json name (see
 * template.yaml), the handler reads its records (a JSON array of rows, or {"features": [rows]}), predicts, and writes
 * the predictions to the same name under predictions/ in the same bucket. A bad object fails the invocation, naming
 * its key, so that Lambda retries it and then hands it to the function's on-failure destination, if any.
 *
 * The model file is loaded on the first event of each Lambda container: the one named by UNIONML_MODEL_PATH (the
 * image sets it), else model.json beside this file. Lambda runs the compiled handler.js (Dockerfile.awslambda).
 */
import { createS3EventHandler } from '@unionml/server/lambda';
import { model } from './app.js';

export const handler = createS3EventHandler(model, { defaultModelPath: new URL('./model.json', import.meta.url) });
