import { registryContract } from './contract/registry.contract';
import { freshPostgresDb } from './contract/services';

registryContract({ label: 'PostgreSQL', create: freshPostgresDb });
