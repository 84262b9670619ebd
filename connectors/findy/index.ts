/** findy connector: the shared console connector with findy's labels (see ../console). */
import { createConsoleConnector } from '../console/connector';
import type { MediaConnector } from '../types';
import { findyConfig } from './client';

export const findyConnector: MediaConnector = createConsoleConnector(findyConfig);
export default findyConnector;
