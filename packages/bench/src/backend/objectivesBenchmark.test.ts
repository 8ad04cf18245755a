import { runObjectivesBenchmark } from './objectivesBenchmark';

describe('objectives benchmark', () => {
  it('writes, keeps, downsamples and computes a small fleet’s history, and downsampling moves availability by little', async () => {
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation(() => true);
    try {
      const [row] = await runObjectivesBenchmark({
        clusters: 40,
        days: 30,
        databases: ['sqlite'],
      });
      expect(row.database).toBe('SQLite');
      expect(row.rowsWritten).toBeGreaterThan(40 * 10);
      // the 3 days past the retention are pruned (but for each cluster's status at its start), flapping is merged
      expect(row.pruned).toBeGreaterThan(0);
      expect(row.merged).toBeGreaterThan(0);
      expect(row.rowsStored).toBe(row.rowsWritten - row.pruned - row.merged);
      expect(row.bytesStored).toBeGreaterThan(0);
      // buckets of an hour: a window edge inside one is the only error
      expect(row.maxAvailabilityDelta).toBeLessThan(0.5);
      expect(row.computeAllMs).toBeGreaterThan(0);
      expect(write).toHaveBeenCalledWith(
        expect.stringContaining('| SQLite | 40 × 30 |'),
      );
    } finally {
      write.mockRestore();
    }
  }, 60_000);
});
