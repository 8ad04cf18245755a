import fs from 'node:fs';
import path from 'node:path';
import madge from 'madge';

// Reading every source file of the package takes a few seconds on a busy machine.
jest.setTimeout(60_000);

/** Import cycles between folders that are known and being removed. Delete an entry here once its cycle is gone. */
const PENDING_CYCLES: string[][] = [];

/** The folder of a source file under `src/` (`.` for the package's entry points). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '.' : file.slice(0, slash);
}

/** Strongly connected components of more than one folder: each is a set of folders that import each other. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

describe('package layering', () => {
  it('has folders that import each other in one direction only', async () => {
    const graph = await madge(path.join(__dirname), {
      fileExtensions: ['ts'],
      excludeRegExp: [/\.test\.ts$/, /__testUtils__/],
    });
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of Object.entries(graph.obj())) {
      const from = folderOf(file);
      if (!edges.has(from)) edges.set(from, new Set());
      for (const imported of imports) {
        const to = folderOf(imported);
        if (to !== from) edges.get(from)!.add(to);
      }
    }
    // the layers it has: a sanity check that the graph was read
    expect([...(edges.get('sim') ?? [])]).toEqual(
      expect.arrayContaining(['controllers', 'fleet', 'workload']),
    );
    // the API server's layers point one way: server/ → api/ → store/
    const outside = (folder: string, allowed: string[]) =>
      [...(edges.get(folder) ?? [])].filter(f => !allowed.includes(f));
    expect(outside('store', ['util'])).toEqual([]);
    expect(outside('api', ['store', 'util'])).toEqual([]);
    expect(outside('server', ['api', 'store', 'util'])).toEqual([]);
    const pending = new Set(PENDING_CYCLES.map(c => [...c].sort().join()));
    expect(cycles(edges).filter(c => !pending.has(c.join()))).toEqual([]);
  });

  it('has no source file over about 600 lines except the data tables', () => {
    // data tables: the resource types and the Cluster API schemas the simulator serves
    const dataTables = new Set(['api/crds/types.ts', 'api/crds/capi.ts']);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, d.name);
        if (d.isDirectory()) walk(full);
        else if (d.name.endsWith('.ts')) files.push(full);
      }
    };
    walk(__dirname);
    expect(files.length).toBeGreaterThan(50);
    const long = files
      .map(f => ({
        file: path.relative(__dirname, f).split(path.sep).join('/'),
        lines: fs.readFileSync(f, 'utf8').split('\n').length,
      }))
      .filter(f => f.lines > 600 && !dataTables.has(f.file));
    expect(long).toEqual([]);
  });
});
