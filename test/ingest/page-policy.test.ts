import { describe, expect, it } from 'vitest';
import { isPrivateHost, pageRefusal } from '../../src/ingest/feeds/page-policy.ts';

describe('isPrivateHost', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]', 'localhost', 'db.localhost', 'nas.local', 'intranet', 'k8s.internal'])('%s is private', (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });

  it.each(['example.org', '93.184.216.34', '172.32.0.1', '[2606:4700::1111]', 'news.example.at'])('%s is public', (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });
});

describe('pageRefusal', () => {
  const feed = new URL('http://127.0.0.1:8080/feed.xml');
  it("allows the feed's own host, local or not, and public hosts", () => {
    expect(pageRefusal(new URL('http://127.0.0.1:8080/a.html'), feed)).toBeNull();
    expect(pageRefusal(new URL('https://example.org/a'), feed)).toBeNull();
  });

  it('refuses other private hosts and other schemes', () => {
    expect(pageRefusal(new URL('http://169.254.169.254/latest/meta-data'), new URL('https://example.org/feed'))).toMatch(/private or local address/);
    expect(pageRefusal(new URL('ftp://example.org/a'), feed)).toBe('ftp: links are not fetched');
  });
});
