/** green connector: the shared console connector with green's labels (see ../console). */
import { createConsoleConnector } from '../console/connector';
import type { MediaConnector } from '../types';
import { greenConfig } from './client';

export const greenConnector: MediaConnector = createConsoleConnector(greenConfig);
export default greenConnector;
