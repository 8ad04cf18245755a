export { ReadProgress } from './ReadProgress';
