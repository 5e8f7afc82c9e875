import { configSchedule, every, linearSpaced, logSpaced } from './schedule.js';

const dueSteps = (s: { isDue(n: number): boolean }, max: number) => Array.from({ length: max + 1 }, (_, i) => i).filter((i) => s.isDue(i));

test('every k', () => {
  expect(dueSteps(every(3), 10)).toEqual([0, 3, 6, 9]);
});

test('log-spaced points include 0, 1 and the last step, increasing gaps', () => {
  const steps = dueSteps(logSpaced(10, 1000), 1000);
  expect(steps).toEqual([0, 1, 2, 5, 10, 22, 46, 100, 215, 464, 1000]);
});

test('linear points', () => {
  expect(dueSteps(linearSpaced(4, 10), 10)).toEqual([0, 3, 5, 8, 10]);
});

test('config schedule always includes first and last step', () => {
  const s = configSchedule({ probeEvery: 0, probeLogPoints: 0, probeLinearPoints: 0, steps: 17 });
  expect(dueSteps(s, 17)).toEqual([0, 17]);
});
