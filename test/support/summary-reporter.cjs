// Prints the plain closing line `N passed, N failed, N skipped` as the run's last line, after Jest's own
// summary, so tools that read a run's closing line (CI) can tell how many tests ran without parsing Jest's
// format. Jest prints its summary after every reporter's onRunComplete, hence the exit hook.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
