import { describeKubeClientContract } from '../client.contract.js';
import { MemoryClient } from './memory-client.js';

describeKubeClientContract('the in-memory fake client', async () => ({
  client: new MemoryClient(),
  namespace: 'default',
}));
