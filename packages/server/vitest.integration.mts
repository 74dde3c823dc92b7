import { defineIntegrationProject } from '../../vitest.shared.mjs';

export default defineIntegrationProject(import.meta.dirname, 'server');
