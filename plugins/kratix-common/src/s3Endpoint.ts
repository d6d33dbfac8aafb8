/*
 * A port of minio-go's Amazon S3 endpoint handling (Kratix's S3 writer is
 * built on minio-go): region detection from the endpoint host
 * (pkg/s3utils/utils.go `GetRegionFromURL`, `IsAmazonEndpoint`,
 * `IsAmazonFIPSEndpoint`, `IsAmazonPrivateLinkEndpoint`, …) and the host a
 * request for a bucket goes to (api.go `makeTargetURL`, endpoints.go
 * `getS3Endpoint`). Ported from minio-go master (2026-08); see the notes on
 * `amazonBucketHost` for how v7.0.68, the version Kratix pins, differs.
 *
 * The regular expressions are copied as minio-go writes them, unescaped dots
 * included: a Go `.` matches any character, so `s3-fips-us-gov-west-1.amazonaws.com`
 * is a FIPS host exactly as it is for minio-go.
 */

const amazonS3HostHyphen = /^s3-(.*?).amazonaws.com$/;
const amazonS3HostDualStack = /^s3.dualstack.(.*?).amazonaws.com$/;
const amazonS3HostFIPS = /^s3-fips.(.*?).amazonaws.com$/;
const amazonS3HostFIPSDualStack = /^s3-fips.dualstack.(.*?).amazonaws.com$/;
const amazonS3HostExpress = /^s3express-[a-z0-9]{3,7}-az[1-6]\.([a-z0-9-]+)\.amazonaws\.com$/;
const amazonS3HostExpressControl = /^s3express-control\.([a-z0-9-]+)\.amazonaws\.com$/;
const amazonS3HostDot = /^s3.(.*?).amazonaws.com$/;
const amazonS3ChinaHost = /^s3.(cn.*?).amazonaws.com.cn$/;
const amazonS3ChinaHostDualStack = /^s3.dualstack.(cn.*?).amazonaws.com.cn$/;
const elbAmazonRegex = /elb(.*?).amazonaws.com$/;
const elbAmazonCnRegex = /elb(.*?).amazonaws.com.cn$/;
const amazonS3HostPrivateLink = /^(?:bucket|accesspoint).vpce-.*?.s3.(.*?).vpce.amazonaws.com$/;
const amazonS3HostOutposts = /^(.+)\.s3-outposts\.([a-z0-9-]+)\.amazonaws\.com$/;

/** Checked in minio-go's order; the first match decides, even with an empty region. */
const REGION_PATTERNS = [
  amazonS3HostFIPSDualStack,
  amazonS3HostFIPS,
  amazonS3HostDualStack,
  amazonS3HostHyphen,
  amazonS3ChinaHost,
  amazonS3ChinaHostDualStack,
  amazonS3HostPrivateLink,
  amazonS3HostExpress,
  amazonS3HostExpressControl,
];

/** Go's `url.URL.Hostname()` for a `host[:port]`: drops a numeric port and IPv6 brackets. */
export function goHostname(hostPort: string): string {
  let host = hostPort;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && /^:\d*$/.test(host.slice(colon))) host = host.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host;
}

function goRegion(host: string): string {
  if (host === 's3-external-1.amazonaws.com') return '';
  // Behind an ELB the region cannot be told from the name.
  if (elbAmazonRegex.test(host) || elbAmazonCnRegex.test(host)) return '';
  for (const pattern of REGION_PATTERNS) {
    const m = pattern.exec(host);
    if (m) return m[1];
  }
  const outposts = amazonS3HostOutposts.exec(host);
  if (outposts) return outposts[2];
  const dot = amazonS3HostDot.exec(host);
  if (!dot) return '';
  const rest = dot[1];
  const notARegion = ['xpress-', 'dualstack.', 'control.', 'website-'];
  return notARegion.some(prefix => rest.startsWith(prefix)) ? '' : rest;
}

/** minio-go's GetRegionFromURL: the region named by an AWS S3 endpoint host, or undefined. */
export function regionFromEndpoint(host: string): string | undefined {
  return goRegion(goHostname(host)) || undefined;
}

/** minio-go's IsAmazonOutpostsEndpoint: `<prefix>.s3-outposts.<region>.amazonaws.com`. */
export function isAmazonOutpostsEndpoint(host: string): boolean {
  return amazonS3HostOutposts.test(goHostname(host));
}

/** True for Amazon S3 hosts (s3.amazonaws.com, s3.<region>.amazonaws.com, s3-<region>..., dualstack, fips, .cn). */
export function isAmazonEndpoint(host: string): boolean {
  // S3 on Outposts keeps path-style requests and its own host in minio-go.
  if (isAmazonOutpostsEndpoint(host)) return false;
  const name = goHostname(host);
  if (name === 's3-external-1.amazonaws.com' || name === 's3.amazonaws.com') return true;
  return goRegion(name) !== '';
}

/** minio-go's IsAmazonFIPSEndpoint: `s3-fips…amazonaws.com`. */
export function isAmazonFIPSEndpoint(host: string): boolean {
  const name = goHostname(host);
  return name.startsWith('s3-fips') && name.endsWith('.amazonaws.com');
}

/** minio-go's IsAmazonPrivateLinkEndpoint: `bucket.vpce-….s3.<region>.vpce.amazonaws.com`. */
export function isAmazonPrivateLinkEndpoint(host: string): boolean {
  return amazonS3HostPrivateLink.test(goHostname(host));
}

/** minio-go's IsGoogleEndpoint. */
export function isGoogleEndpoint(host: string): boolean {
  return goHostname(host) === 'storage.googleapis.com';
}

/** minio-go's awsS3EndpointMap: region → [endpoint, dual-stack endpoint or '' when there is none]. */
const AWS_S3_ENDPOINTS: Record<string, [string, string]> = {
  'us-iso-east-1': ['s3.us-iso-east-1.c2s.ic.gov', ''],
  'us-isob-east-1': ['s3.us-isob-east-1.sc2s.sgov.gov', ''],
  'us-iso-west-1': ['s3.us-iso-west-1.c2s.ic.gov', ''],
  'cn-north-1': ['s3.cn-north-1.amazonaws.com.cn', 's3.dualstack.cn-north-1.amazonaws.com.cn'],
  'cn-northwest-1': [
    's3.cn-northwest-1.amazonaws.com.cn',
    's3.dualstack.cn-northwest-1.amazonaws.com.cn',
  ],
};
for (const region of [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'us-west-1',
  'ca-central-1',
  'ca-west-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'af-south-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-gov-west-1',
  'us-gov-east-1',
  'il-central-1',
  'ap-southeast-5',
  'ap-southeast-7',
  'mx-central-1',
  'ap-east-2',
  'ap-southeast-6',
]) {
  AWS_S3_ENDPOINTS[region] = [`s3.${region}.amazonaws.com`, `s3.dualstack.${region}.amazonaws.com`];
}

/** minio-go's getS3Endpoint: an unknown region falls back to us-east-1. */
function s3EndpointFor(region: string, dualStack: boolean): string {
  const [endpoint, dualStackEndpoint] = AWS_S3_ENDPOINTS[region] ?? [
    's3.us-east-1.amazonaws.com',
    's3.dualstack.us-east-1.amazonaws.com',
  ];
  return dualStack && dualStackEndpoint !== '' ? dualStackEndpoint : endpoint;
}

/** minio-go's awsS3ExpressEndpointMap: region → [regional endpoint, first zonal endpoint]. */
const AWS_S3_EXPRESS_ENDPOINTS: Record<string, [string, string]> = {
  'us-east-1': [
    's3express-control.us-east-1.amazonaws.com',
    's3express-use1-az4.us-east-1.amazonaws.com',
  ],
  'us-east-2': [
    's3express-control.us-east-2.amazonaws.com',
    's3express-use2-az1.us-east-2.amazonaws.com',
  ],
  'us-west-2': [
    's3express-control.us-west-2.amazonaws.com',
    's3express-usw2-az1.us-west-2.amazonaws.com',
  ],
  'ap-south-1': [
    's3express-control.ap-south-1.amazonaws.com',
    's3express-aps1-az1.ap-south-1.amazonaws.com',
  ],
  'ap-northeast-1': [
    's3express-control.ap-northeast-1.amazonaws.com',
    's3express-apne1-az1.ap-northeast-1.amazonaws.com',
  ],
  'eu-west-1': [
    's3express-control.eu-west-1.amazonaws.com',
    's3express-euw1-az1.eu-west-1.amazonaws.com',
  ],
  'eu-north-1': [
    's3express-control.eu-north-1.amazonaws.com',
    's3express-eun1-az1.eu-north-1.amazonaws.com',
  ],
};

/** minio-go's IsS3ExpressBucket: `<name>--<az-id>--x-s3`. */
function isS3ExpressBucket(bucket: string): boolean {
  if (bucket.length < 3 || bucket.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]--[a-z0-9]{3,7}-az[1-6]--x-s3$/.test(bucket)) return false;
  const parts = bucket.split('--');
  if (parts.length !== 3 || parts[2] !== 'x-s3') return false;
  const name = parts[0];
  return !/\.\.|--|\.-|-\.|^(\d+\.){3}\d+$/.test(name);
}

/**
 * The virtual-hosted endpoint minio-go would call for a bucket: e.g.
 * ('s3.us-east-2.amazonaws.com','test-bucket-name',false) → 'test-bucket-name.s3.us-east-2.amazonaws.com';
 * with dualStack true → 'test-bucket-name.s3.dualstack.us-east-2.amazonaws.com'.
 *
 * - `region` is the bucket's location when known; otherwise the region named
 *   by the endpoint, else us-east-1 (minio-go would ask S3 for the location).
 * - FIPS and PrivateLink endpoints keep their host; an unknown region falls
 *   back to the us-east-1 endpoint, as in minio-go.
 * - Non-Amazon hosts are returned as `<bucket>.<host>`: minio-go itself uses
 *   path-style requests there (see `usesVirtualHostStyle`).
 * - minio-go turns dual-stack on by default for Amazon endpoints, and Kratix
 *   does not turn it off, so Kratix calls the dual-stack host. Kratix pins
 *   minio-go v7.0.68, which always used dual-stack, had fewer regions in its
 *   table (ca-west-1, ap-southeast-5/6/7, ap-east-2, mx-central-1 and the ISO
 *   regions fell back to s3.dualstack.us-east-1.amazonaws.com) and, unlike
 *   today, did not recognise an endpoint written with a port as Amazon's.
 */
export function amazonBucketHost(
  endpointHost: string,
  bucket: string,
  dualStack: boolean,
  region?: string,
): string {
  if (!isAmazonEndpoint(endpointHost)) return `${bucket}.${endpointHost}`;
  const location = region || regionFromEndpoint(endpointHost) || 'us-east-1';
  let host: string;
  if (isAmazonFIPSEndpoint(endpointHost) || isAmazonPrivateLinkEndpoint(endpointHost)) {
    host = endpointHost;
  } else if (amazonS3HostExpressControl.test(goHostname(endpointHost))) {
    // Unknown regions give an empty host in minio-go too.
    const express = AWS_S3_EXPRESS_ENDPOINTS[location];
    host = express ? express[isS3ExpressBucket(bucket) ? 1 : 0] : '';
  } else {
    host = s3EndpointFor(location, dualStack);
  }
  return `${bucket}.${host}`;
}

/**
 * minio-go's IsVirtualHostSupported (its default bucket lookup): virtual-hosted
 * requests for Amazon, Google and Aliyun hosts, except a dotted bucket over
 * HTTPS (its name would break the TLS certificate match), which goes path-style.
 */
export function usesVirtualHostStyle(
  endpointHost: string,
  bucket: string,
  secure: boolean,
): boolean {
  if (secure && bucket.includes('.')) return false;
  return (
    isAmazonEndpoint(endpointHost) ||
    isGoogleEndpoint(endpointHost) ||
    goHostname(endpointHost).endsWith('aliyuncs.com')
  );
}
