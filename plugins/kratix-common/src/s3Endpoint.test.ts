import {
  amazonBucketHost,
  goHostname,
  isAmazonEndpoint,
  isAmazonFIPSEndpoint,
  isAmazonOutpostsEndpoint,
  isAmazonPrivateLinkEndpoint,
  isGoogleEndpoint,
  regionFromEndpoint,
  usesVirtualHostStyle,
} from './s3Endpoint';

/** The scheme-and-path-free host of a test URL, as Go's url.Parse would give in `.Host`. */
function hostOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

describe('regionFromEndpoint', () => {
  it.each([
    ['s3.eu-west-2.amazonaws.com', 'eu-west-2'],
    ['s3.us-east-2.amazonaws.com', 'us-east-2'],
    ['s3-us-west-1.amazonaws.com', 'us-west-1'],
    ['s3.dualstack.ap-south-1.amazonaws.com', 'ap-south-1'],
    ['s3.amazonaws.com', undefined],
    ['s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['minio.example.com:9000', undefined],
    ['minio.example.com', undefined],
    ['[::1]:9000', undefined],
    ['s3.website-us-east-1.amazonaws.com', undefined],
    ['s3.eu-west-1.amazonaws.com:443', 'eu-west-1'],
  ])('%s → %s', (host, region) => {
    expect(regionFromEndpoint(host)).toBe(region);
  });

  // minio-go pkg/s3utils/utils_test.go TestGetRegionFromURL, ported case by case
  // ('' there is undefined here).
  it.each([
    ['storage.googleapis.com', ''],
    ['s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['s3.dualstack.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['s3.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1'],
    ['s3.dualstack.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1'],
    ['s3-fips-us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['s3-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['s3-fips.us-gov-east-1.amazonaws.com', 'us-gov-east-1'],
    ['s3-us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['192.168.1.1', ''],
    ['s3-eu-west-1.amazonaws.com', 'eu-west-1'],
    ['s3.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['s3.dualstack.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['s3.amazonaws.com', ''],
    ['s3-external-1.amazonaws.com', ''],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.us-west-2.amazonaws.com', ''],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.amazonaws.com', ''],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.amazonaws.com.cn', ''],
    ['bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', 'us-east-1'],
    ['accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', 'us-east-1'],
    ['s3-fips.us-east-1.amazonaws.com', 'us-east-1'],
    ['s3-fips.dualstack.us-west-1.amazonaws.com', 'us-west-1'],
    ['s3express-usw2-az1.us-west-2.amazonaws.com', 'us-west-2'],
    ['s3express-use1-az5.us-east-1.amazonaws.com', 'us-east-1'],
    ['s3express-apne1-az4.ap-northeast-1.amazonaws.com', 'ap-northeast-1'],
    ['s3express-euc1-az2.eu-central-1.amazonaws.com', 'eu-central-1'],
    ['s3express-usgw1-az3.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['s3express-control.us-west-2.amazonaws.com', 'us-west-2'],
    [
      'test-access-point-000000000000.op-00000000000000000.s3-outposts.eu-central-1.amazonaws.com',
      'eu-central-1',
    ],
    ['myap-123456789012.op-0ab1c2d3e4f5.s3-outposts.us-west-2.amazonaws.com', 'us-west-2'],
    ['storage.googleapis.com:80', ''],
    ['s3.cn-north-1.amazonaws.com.cn:80', 'cn-north-1'],
    ['s3.dualstack.cn-north-1.amazonaws.com.cn:80', 'cn-north-1'],
    ['s3.cn-northwest-1.amazonaws.com.cn:80', 'cn-northwest-1'],
    ['s3.dualstack.cn-northwest-1.amazonaws.com.cn:80', 'cn-northwest-1'],
    ['s3-fips-us-gov-west-1.amazonaws.com:80', 'us-gov-west-1'],
    ['s3-fips.us-gov-west-1.amazonaws.com:80', 'us-gov-west-1'],
    ['s3-fips.us-gov-east-1.amazonaws.com:80', 'us-gov-east-1'],
    ['s3-us-gov-west-1.amazonaws.com:80', 'us-gov-west-1'],
    ['s3-eu-west-1.amazonaws.com:80', 'eu-west-1'],
    ['s3.eu-west-1.amazonaws.com:80', 'eu-west-1'],
    ['s3.dualstack.eu-west-1.amazonaws.com:80', 'eu-west-1'],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.us-west-2.amazonaws.com:80', ''],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.amazonaws.com:80', ''],
    ['s3.kubernetesfrontendlb-caf78da2b1f7516c.elb.amazonaws.com.cn:80', ''],
    ['bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com:80', 'us-east-1'],
    ['accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com:80', 'us-east-1'],
    ['s3-fips.us-east-1.amazonaws.com:80', 'us-east-1'],
    ['s3-fips.dualstack.us-west-1.amazonaws.com:80', 'us-west-1'],
    ['192.168.1.1:80', ''],
    ['s3express-usw2-az7.us-west-2.amazonaws.com', ''],
    ['invalid-endpoint.com', ''],
    ['s3.amazonaws.com:80', ''],
    ['s3-external-1.amazonaws.com:80', ''],
  ])('minio-go table: %s → %j', (host, region) => {
    expect(regionFromEndpoint(host) ?? '').toBe(region);
  });
});

describe('goHostname', () => {
  it.each([
    ['minio:9000', 'minio'],
    ['minio:', 'minio'],
    ['minio', 'minio'],
    ['[::1]:9000', '::1'],
    ['[::1]', '::1'],
    ['minio:x', 'minio:x'],
  ])('%s → %s', (hostPort, host) => {
    expect(goHostname(hostPort)).toBe(host);
  });
});

describe('isAmazonEndpoint', () => {
  it.each([
    ['minio.example.com:9000', false],
    ['s3.amazonaws.com', true],
    ['s3.eu-west-2.amazonaws.com', true],
    ['s3.cn-north-1.amazonaws.com.cn', true],
    ['s3-fips.us-east-1.amazonaws.com', true],
    ['s3.dualstack.ap-south-1.amazonaws.com', true],
    ['s3.eu-west-2.amazonaws.com:443', true],
  ])('%s → %s', (host, expected) => {
    expect(isAmazonEndpoint(host)).toBe(expected);
  });

  // minio-go TestIsAmazonEndpoint. Its scheme-less inputs ("192.168.1.1",
  // "s3.amazonaws.com", …) parse to an empty Host in Go and are false there for
  // that reason; taken as hosts, only "s3.amazonaws.com" changes (to true).
  it.each([
    ['https://192.168.1.1', false],
    ['192.168.1.1', false],
    ['http://storage.googleapis.com', false],
    ['https://storage.googleapis.com', false],
    ['storage.googleapis.com', false],
    ['https://amazons3.amazonaws.com', false],
    ['-192.168.1.1', false],
    ['260.192.1.1', false],
    ['https://s3-.amazonaws.com', false],
    ['https://s3..amazonaws.com', false],
    ['https://s3.dualstack.us-west-1.amazonaws.com.cn', false],
    ['https://s3..us-west-1.amazonaws.com.cn', false],
    ['https://s3.amazonaws.com', true],
    ['https://s3-external-1.amazonaws.com', true],
    ['https://s3.cn-north-1.amazonaws.com.cn', true],
    ['https://s3-us-west-1.amazonaws.com', true],
    ['https://s3.us-west-1.amazonaws.com', true],
    ['https://s3.dualstack.us-west-1.amazonaws.com', true],
    ['https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', true],
    ['https://accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', true],
    ['https://s3express-usw2-az1.us-west-2.amazonaws.com', true],
  ])('minio-go table: %s → %s', (url, expected) => {
    expect(isAmazonEndpoint(hostOf(url))).toBe(expected);
  });

  it('does not treat S3 on Outposts as Amazon S3 (minio-go keeps its host and path style)', () => {
    const host = 'myap-123456789012.op-0ab1c2d3e4f5.s3-outposts.us-west-2.amazonaws.com';
    expect(isAmazonOutpostsEndpoint(host)).toBe(true);
    expect(isAmazonEndpoint(host)).toBe(false);
  });
});

describe('minio-go endpoint detectors', () => {
  // TestIsAmazonOutpostsEndpoint
  it.each([
    ['https://s3.amazonaws.com', false],
    ['https://s3.eu-west-1.amazonaws.com', false],
    ['https://storage.googleapis.com', false],
    [
      'https://test-access-point-000000000000.op-00000000000000000.s3-outposts.eu-central-1.amazonaws.com',
      true,
    ],
    ['https://myap-123456789012.op-0ab1c2d3e4f5.s3-outposts.us-west-2.amazonaws.com', true],
    ['https://accesspoint-account.op-outpostid.s3-outposts.eu-north-1.amazonaws.com', true],
  ])('outposts %s → %s', (url, expected) => {
    expect(isAmazonOutpostsEndpoint(hostOf(url))).toBe(expected);
  });

  // TestIsAmazonPrivateLinkEndpoint
  it.each([
    ['https://192.168.1.1', false],
    ['https://storage.googleapis.com', false],
    ['https://amazons3.amazonaws.com', false],
    ['https://s3-.amazonaws.com', false],
    ['https://s3..amazonaws.com', false],
    ['https://s3.dualstack.us-west-1.amazonaws.com.cn', false],
    ['https://s3..us-west-1.amazonaws.com.cn', false],
    ['https://s3.amazonaws.com', false],
    ['https://s3-external-1.amazonaws.com', false],
    ['https://s3.cn-north-1.amazonaws.com.cn', false],
    ['https://s3-us-west-1.amazonaws.com', false],
    ['https://s3.us-west-1.amazonaws.com', false],
    ['https://s3.dualstack.us-west-1.amazonaws.com', false],
    ['https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', true],
    ['https://accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', true],
    ['https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com:443', true],
    ['https://accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com:443', true],
  ])('privatelink %s → %s', (url, expected) => {
    expect(isAmazonPrivateLinkEndpoint(hostOf(url))).toBe(expected);
  });

  // TestIsGoogleEndpoint (schemed inputs)
  it.each([
    ['https://192.168.1.1', false],
    ['http://s3.amazonaws.com', false],
    ['https://s3.amazonaws.com', false],
    ['https://s3.cn-north-1.amazonaws.com.cn', false],
    ['http://storage.googleapis.com', true],
    ['https://storage.googleapis.com', true],
    ['http://storage.googleapis.com:80', true],
    ['https://storage.googleapis.com:443', true],
  ])('google %s → %s', (url, expected) => {
    expect(isGoogleEndpoint(hostOf(url))).toBe(expected);
  });

  it('recognises FIPS hosts', () => {
    expect(isAmazonFIPSEndpoint('s3-fips.us-east-1.amazonaws.com')).toBe(true);
    expect(isAmazonFIPSEndpoint('s3-fips.dualstack.us-west-1.amazonaws.com:443')).toBe(true);
    expect(isAmazonFIPSEndpoint('s3.us-east-1.amazonaws.com')).toBe(false);
  });
});

describe('amazonBucketHost', () => {
  it.each([
    ['s3.us-east-2.amazonaws.com', false, 'test-bucket-name.s3.us-east-2.amazonaws.com'],
    ['s3.us-east-2.amazonaws.com', true, 'test-bucket-name.s3.dualstack.us-east-2.amazonaws.com'],
    [
      's3.dualstack.ap-south-1.amazonaws.com',
      false,
      'test-bucket-name.s3.ap-south-1.amazonaws.com',
    ],
    ['s3-us-west-1.amazonaws.com', true, 'test-bucket-name.s3.dualstack.us-west-1.amazonaws.com'],
    ['s3.amazonaws.com', false, 'test-bucket-name.s3.us-east-1.amazonaws.com'],
    ['s3.amazonaws.com', true, 'test-bucket-name.s3.dualstack.us-east-1.amazonaws.com'],
    ['s3-external-1.amazonaws.com', true, 'test-bucket-name.s3.dualstack.us-east-1.amazonaws.com'],
    ['s3.cn-north-1.amazonaws.com.cn', false, 'test-bucket-name.s3.cn-north-1.amazonaws.com.cn'],
    [
      's3.cn-north-1.amazonaws.com.cn',
      true,
      'test-bucket-name.s3.dualstack.cn-north-1.amazonaws.com.cn',
    ],
    [
      's3.eu-west-2.amazonaws.com:443',
      true,
      'test-bucket-name.s3.dualstack.eu-west-2.amazonaws.com',
    ],
    // FIPS and PrivateLink endpoints keep their host.
    ['s3-fips.us-east-1.amazonaws.com', true, 'test-bucket-name.s3-fips.us-east-1.amazonaws.com'],
    [
      'bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com',
      true,
      'test-bucket-name.bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com',
    ],
    // A region missing from minio-go's table falls back to us-east-1.
    [
      's3.xx-nowhere-9.amazonaws.com',
      true,
      'test-bucket-name.s3.dualstack.us-east-1.amazonaws.com',
    ],
    // ISO regions have no dual-stack endpoint.
    ['s3.us-iso-east-1.amazonaws.com', true, 'test-bucket-name.s3.us-iso-east-1.c2s.ic.gov'],
    // Not Amazon: the host is kept.
    ['minio.example.com:9000', true, 'test-bucket-name.minio.example.com:9000'],
  ])('%s (dualStack %s) → %s', (endpoint, dualStack, expected) => {
    expect(amazonBucketHost(endpoint, 'test-bucket-name', dualStack)).toBe(expected);
  });

  it('prefers the bucket location when the caller knows it', () => {
    expect(amazonBucketHost('s3.amazonaws.com', 'b', true, 'eu-central-1')).toBe(
      'b.s3.dualstack.eu-central-1.amazonaws.com',
    );
  });

  it('uses the S3 Express regional or zonal endpoint for the express control host', () => {
    const control = 's3express-control.us-west-2.amazonaws.com';
    expect(amazonBucketHost(control, 'plain-bucket', true)).toBe(`plain-bucket.${control}`);
    expect(amazonBucketHost(control, 'mybucket--usw2-az1--x-s3', true)).toBe(
      'mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com',
    );
  });
});

describe('usesVirtualHostStyle (minio-go TestIsVirtualHostSupported)', () => {
  it.each([
    ['s3.amazonaws.com', 'my-bucket', true, true],
    ['s3.cn-north-1.amazonaws.com.cn', 'my-bucket', true, true],
    ['s3.amazonaws.com', 'my-bucket.', true, false],
    ['amazons3.amazonaws.com', 'my-bucket.', true, false],
    ['storage.googleapis.com', 'my-bucket', true, true],
    ['mystorage.googleapis.com', 'my-bucket', true, false],
    ['s3.amazonaws.com', 'my.bucket', false, true],
    ['minio.example.com:9000', 'my-bucket', false, false],
  ])('%s / %s (secure %s) → %s', (host, bucket, secure, expected) => {
    expect(usesVirtualHostStyle(host, bucket, secure)).toBe(expected);
  });
});
