/** bizreach connector: the shared console connector with bizreach's labels (see ../console). */
import { createConsoleConnector } from '../console/connector';
import type { MediaConnector } from '../types';
import { bizReachConfig } from './client';

export const bizReachConnector: MediaConnector = createConsoleConnector(bizReachConfig);
export default bizReachConnector;
