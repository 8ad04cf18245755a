export { SupportStatusBar, describeCounts } from './SupportStatusBar';
