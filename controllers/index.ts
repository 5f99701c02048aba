import type { ControllerFactory } from './framework.js';

/** Every controller the manager runs, in the order they are made. */
export const allControllers: readonly ControllerFactory[] = [];
