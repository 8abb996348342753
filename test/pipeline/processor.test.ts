import { DROP, composeInterceptors, composeStages, type Stage } from '../../src/pipeline/index.js';

describe('composeStages', () => {
  it('runs stages in list order and stays synchronous when all are sync', () => {
    const order: string[] = [];
    const a: Stage<number> = (n) => (order.push('a'), n + 1);
    const b: Stage<number> = (n) => (order.push('b'), n * 10);
    const out = composeStages([a, b])(1);
    expect(out).toBe(20);
    expect(order).toEqual(['a', 'b']);
  });

  it('switches to async at the first async stage and keeps order', async () => {
    const order: string[] = [];
    const a: Stage<number> = (n) => (order.push('a'), n + 1);
    const b: Stage<number> = async (n) => (order.push('b'), n * 10);
    const c: Stage<number> = (n) => (order.push('c'), n - 3);
    const out = composeStages([a, b, c])(1);
    expect(out).toBeInstanceOf(Promise);
    await expect(out).resolves.toBe(17);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('stops at DROP, sync or async', async () => {
    const never = jest.fn((n: number) => n);
    expect(composeStages<number>([() => DROP, never])(1)).toBe(DROP);
    await expect(
      composeStages<number>([async (): Promise<typeof DROP> => DROP, never])(1),
    ).resolves.toBe(DROP);
    expect(never).not.toHaveBeenCalled();
  });

  it('is the identity for no stages', () => {
    expect(composeStages<string>([])('x')).toBe('x');
  });
});

describe('composeInterceptors', () => {
  it('makes the first interceptor the outermost', async () => {
    const log: string[] = [];
    const mk = (name: string) => (next: (r: string) => Promise<string>) => async (r: string) => {
      log.push(`${name}>`);
      const res = await next(`${r}${name}`);
      log.push(`<${name}`);
      return res;
    };
    const handler = composeInterceptors([mk('A'), mk('B')], async (r) => `done:${r}`);
    await expect(handler('req:')).resolves.toBe('done:req:AB');
    expect(log).toEqual(['A>', 'B>', '<B', '<A']);
  });
});
