import path from 'node:path';
import {
  BucketWriter,
  GitWriter,
  HttpGitTransport,
} from '@kratix-destinations/plugin-kratix-backend/writers';
import type { GitServer, S3Server } from '@internal/state-store-servers';

/** Our Git writer on a bench repository, as the backend builds it. */
export function benchGitWriter(server: GitServer, url: string, workDir: string): GitWriter {
  const store = 'GitStateStore/bench';
  return new GitWriter({
    name: store,
    branch: 'main',
    path: '',
    author: { name: 'kratix', email: '' },
    transport: new HttpGitTransport({
      store,
      url,
      credentials: async () => ({ username: server.username, password: server.password }),
      authHint: 'check the bench server credentials',
    }),
    workDir: path.resolve(workDir),
  });
}

/** Our bucket writer on a bench bucket, as the backend builds it. */
export function benchBucketWriter(server: S3Server, bucketName: string, concurrency: number) {
  return new BucketWriter({
    name: 'BucketStateStore/bench',
    bucketName,
    endpoint: server.endpoint,
    insecure: true,
    useDualStack: false,
    path: '',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    concurrency,
    batchDelete: true,
    authHint: 'check the bench server credentials',
  });
}
