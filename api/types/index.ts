/**
 * Every API type Skiff serves, declared in the schema language. Importing this module registers them all
 * (each file calls `message()` for its group/version as it loads); `messageSchema(name)` then finds any of them.
 */
import './meta-v1.js';
import './core-v1-pod.js';
import './core-v1.js';
import './apps-v1.js';
import './batch-v1.js';
import './autoscaling-v1.js';
import './autoscaling-v2.js';
import './coordination-v1.js';
import './discovery-v1.js';
import './events-v1.js';
import './networking-v1.js';
import './policy-v1.js';
import './rbac-v1.js';
import './storage-v1.js';
import './scheduling-v1.js';
import './authentication-v1.js';
import './authentication-v1beta1.js';
import './authorization-v1.js';
