import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Tests that start real broker processes run the compiled service; build it first when dist/ is missing
 * or older than the sources (the same check `npm start` makes).
 */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '../../scripts/ensure-built.cjs')], { stdio: 'inherit' });
}
