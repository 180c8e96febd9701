import { execFileSync, execSync } from 'node:child_process';

/**
 * The machine's PostgreSQL and Redis, restarted the way their documented start commands
 * run them. Only the chaos run does this, never the parallel test suite.
 */
export function restartPostgres(): void {
  const version = execSync('ls /etc/postgresql').toString().trim().split('\n')[0]!;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore', timeout: 60_000 });
}

/** Stops Redis without saving (it keeps nothing on disk here): every queue is lost, as in a crash. */
export function restartRedisLosingData(): void {
  try {
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // shutdown closes the connection before answering
  }
  execSync('mkdir -p /var/lib/redis /var/log/redis', { stdio: 'ignore' });
  execFileSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'],
    { stdio: 'ignore', timeout: 10_000 },
  );
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { stdio: 'ignore', timeout: 1000 });
      return;
    } catch {
      execSync('sleep 0.1');
    }
  }
  throw new Error('Redis did not come back');
}
