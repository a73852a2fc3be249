import { run } from './github/action.ts'

await run()
