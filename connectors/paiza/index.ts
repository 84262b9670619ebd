/** paiza connector: the shared console connector with paiza's labels (see ../console). */
import { createConsoleConnector } from '../console/connector';
import type { MediaConnector } from '../types';
import { paizaConfig } from './client';

export const paizaConnector: MediaConnector = createConsoleConnector(paizaConfig);
export default paizaConnector;
