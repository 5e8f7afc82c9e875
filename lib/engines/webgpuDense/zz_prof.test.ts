import { makeConfig } from '../../core/config.js';
import { webgpuDevice } from '../../testing/webgpu.js';
import { createWebgpuDenseEngine } from './create.js';
import { dispatchFlat } from './device.js';
import { jobWorkgroups } from './kernel.wgsl.js';
test('prof', async () => {
  const device: any = await webgpuDevice();
  for (const [name, cfg] of [
    ['fc6', { model: 'fc', depth: 6, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce', batchSize: 32 }],
    ['cifar', { model: 'two-layer', inputDim: 3072, hidden: 300, classes: 10, loss: 'softmax-ce', batchSize: 1000 }],
  ] as const) {
    const e: any = await createWebgpuDenseEngine([makeConfig({ ...cfg, probes: ['loss'] } as any)], { checkEvery: 1000, ...(process.env.TK ? { tuning: { tileDepth: Number(process.env.TK) } } : {}) });
    await e.advance(0, 2, [true]);
    await e.lossSums();
    const reps = name === 'fc6' ? 10 : 1;
    const out: string[] = [];
    for (const k of e.kernels) {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(k.pipeline);
      for (let i = 0; i < reps; i++) {
        pass.setBindGroup(0, e.groups[0].bind, [0]);
        dispatchFlat(pass, jobWorkgroups(k.jobs, 1));
      }
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      out.push(`${k.jobs.map((j: any) => j.name + ':' + j.tiles).join('+')} ${((performance.now() - t0) / reps).toFixed(2)}ms`);
    }
    console.log(name, out.join(' | '));
    e.dispose();
  }
}, 600000);
