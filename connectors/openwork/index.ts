/** openwork connector: the shared console connector with openwork's labels (see ../console). */
import { createConsoleConnector } from '../console/connector';
import type { MediaConnector } from '../types';
import { openWorkConfig } from './client';

export const openWorkConnector: MediaConnector = createConsoleConnector(openWorkConfig);
export default openWorkConnector;
