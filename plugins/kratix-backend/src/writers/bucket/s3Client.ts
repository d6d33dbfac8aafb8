import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  amazonBucketHost,
  isAmazonEndpoint,
  regionFromEndpoint,
} from '@kratix-destinations/plugin-kratix-common';
import { StoreTls, tlsAgentOptions } from '../tls';

export interface S3ClientOptions {
  /** host[:port] as Kratix, or a full http(s):// URL. */
  endpoint: string;
  bucketName: string;
  insecure: boolean;
  useDualStack: boolean;
  /** `spec.region`: overrides what the endpoint says. */
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | AwsCredentialIdentityProvider;
  concurrency: number;
  /** How certificates of an https endpoint are checked; default: against Node's roots. */
  tls?: StoreTls;
  /** Tests: send every connection here, whatever host the request names. */
  connectTo?: { host: string; port: number };
}

export interface ResolvedEndpoint {
  /** The URL requests go to (virtual-hosted for Amazon, path-style otherwise). */
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  /** What users see in messages. */
  display: string;
}

/**
 * Where requests go and which region signs them, as Kratix's minio client
 * decides: the region named by an Amazon host (`s3.<region>.amazonaws.com`,
 * `s3-<region>…`, dual-stack hosts), else the bucket's own location (the SDK
 * follows S3's region redirects), `spec.region` overriding both.
 */
export function resolveEndpoint(
  o: Pick<S3ClientOptions, 'endpoint' | 'bucketName' | 'insecure' | 'useDualStack' | 'region'>,
): ResolvedEndpoint {
  const scheme = o.insecure ? 'http' : 'https';
  const url = new URL(/^https?:\/\//i.test(o.endpoint) ? o.endpoint : `${scheme}://${o.endpoint}`);
  const display = `${url.protocol}//${url.host}`;
  if (!isAmazonEndpoint(url.hostname)) {
    return { endpoint: display, region: o.region ?? 'us-east-1', forcePathStyle: true, display };
  }
  const region = o.region ?? regionFromEndpoint(url.hostname) ?? 'us-east-1';
  const bucketHost = amazonBucketHost(url.hostname, o.bucketName, o.useDualStack);
  // The SDK prepends the bucket to the host of a virtual-hosted endpoint.
  const host = bucketHost.slice(o.bucketName.length + 1);
  const port = url.port ? `:${url.port}` : '';
  return { endpoint: `${url.protocol}//${host}${port}`, region, forcePathStyle: false, display };
}

function handler(o: S3ClientOptions): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: o.concurrency };
  if (!o.connectTo) {
    return new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent({ ...agentOptions, ...tlsAgentOptions(o.tls) }),
    });
  }
  const target = o.connectTo;
  const agent = new http.Agent(agentOptions);
  (agent as any).createConnection = (_opts: unknown, cb: any) =>
    net.connect(target.port, target.host, cb);
  return new NodeHttpHandler({ httpAgent: agent, httpsAgent: agent as any });
}

export function createS3Client(o: S3ClientOptions): {
  client: S3Client;
  resolved: ResolvedEndpoint;
} {
  const resolved = resolveEndpoint(o);
  const client = new S3Client({
    endpoint: resolved.endpoint,
    region: resolved.region,
    forcePathStyle: resolved.forcePathStyle,
    followRegionRedirects: true,
    credentials: o.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: handler(o),
  });
  return { client, resolved };
}
