// `npm run schema`: writes config/broker.schema.json from the zod schema of broker.yaml (libs/config/src/schema),
// through the compiled lib, so no TypeScript runner is needed. A spec fails while the checked-in file is stale.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

require('./ensure-built.cjs');
const root = join(__dirname, '..');
const { JSON_SCHEMA_PATH, brokerConfigJsonSchemaText } = require(join(root, 'dist/libs/config/src/schema/json-schema.js'));
writeFileSync(join(root, JSON_SCHEMA_PATH), brokerConfigJsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
