/**
 * The app on AWS Lambda, behind API Gateway (an HTTP API, see template.yaml) or a function URL: the routes of
 * `unionml serve`, `POST /predict` with `{"features": [rows]}`, `GET /health`, `GET /ready`, `GET /openapi.json` and
 * `GET /`, with the same answers and JSON errors.
 *
 * The model file is loaded on the first request of each Lambda container: the one named by UNIONML_MODEL_PATH (the
 * image sets it), else model.json beside this file. Lambda runs the compiled handler.js (Dockerfile.awslambda).
 */
import { createLambdaHandler } from '@unionml/server/lambda';
import { model } from './app.js';

export const handler = createLambdaHandler(model, { defaultModelPath: new URL('./model.json', import.meta.url) });
