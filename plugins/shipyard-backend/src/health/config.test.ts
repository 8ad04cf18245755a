import { ConfigReader } from '@backstage/config';
import { readHealthConfig } from './config';

describe('cpuBudget', () => {
  it('defaults to half a core, takes a configured share and rejects none or a negative one with the key named', () => {
    expect(readHealthConfig(new ConfigReader({})).cpuBudget).toBe(0.5);
    const of = (cpuBudget: unknown) =>
      readHealthConfig(
        new ConfigReader({ shipyard: { health: { cpuBudget } } } as any),
      ).cpuBudget;
    expect(of(0.25)).toBe(0.25);
    expect(of(1)).toBe(1);
    for (const bad of [0, -0.5]) {
      expect(() => of(bad)).toThrow(
        'shipyard.health.cpuBudget must be a share of one core above 0',
      );
    }
  });
});

describe('roundTimeoutMs', () => {
  it('defaults to five intervals and at least five minutes, takes a configured time and rejects one shorter than a probe', () => {
    const of = (health: object) =>
      readHealthConfig(new ConfigReader({ shipyard: { health } } as any))
        .roundTimeoutMs;
    expect(readHealthConfig(new ConfigReader({})).roundTimeoutMs).toBe(300_000);
    expect(of({ intervalMs: 120_000 })).toBe(600_000);
    expect(of({ intervalMs: 10_000 })).toBe(300_000);
    expect(of({ roundTimeoutMs: 90_000 })).toBe(90_000);
    expect(() => of({ roundTimeoutMs: 4_000 })).toThrow(
      'shipyard.health.roundTimeoutMs must be a number >= 5000',
    );
  });
});
