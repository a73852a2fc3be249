// Parsing the kernel's CPU lists, and the calibration's noise figure: pure pieces of the timed
// phase (the pinning itself is tested for real in test/timing.int.test.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { noisePct } from '../../src/run/calibrate.ts'
import { allowedCpus, cpuList, leastBusy, parseCpuList } from '../../src/run/cpu-affinity.ts'

test('parseCpuList reads ranges and single CPUs, and refuses anything else', () => {
  assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9])
  assert.deepEqual(parseCpuList('1'), [1])
  assert.equal(parseCpuList(''), null)
  assert.equal(parseCpuList('3-1'), null)
  assert.equal(parseCpuList('0-1,x'), null)
  assert.equal(cpuList([0, 2, 5]), '0,2,5')
})

test('this process may use at least one CPU, and the least busy one is one of them', async (t) => {
  if (process.platform !== 'linux') return t.skip('reads /proc')
  const cpus = await allowedCpus(process.pid)
  assert.ok(cpus !== null && cpus.length >= 1)
  assert.ok(cpus.includes(await leastBusy(cpus, 20)))
})

test('noisePct is the robust spread in percent of the median', () => {
  assert.equal(noisePct([100, 100, 100]), 0)
  // Median 100, MAD 2: 1.4826 × 2 = 2.97%, rounded to 3.0.
  assert.equal(noisePct([96, 98, 100, 102, 104]), 3)
})
