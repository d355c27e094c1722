import { hostname } from 'node:os';
import { describe, expect, test } from 'vitest';
import { allowedHostsFor } from '../../../local-cloud/auth/allowed-hosts';

describe('the hosts a plane answers besides loopback', () => {
  test('none on loopback; the address itself otherwise; every interface and the name on 0.0.0.0', () => {
    expect(allowedHostsFor('127.0.0.1')).toEqual([]);
    expect(allowedHostsFor('localhost')).toEqual([]);
    expect(allowedHostsFor('192.168.1.20')).toEqual(['192.168.1.20']);
    const all = allowedHostsFor('0.0.0.0');
    expect(all).toContain('0.0.0.0'); // what cloud.json's URLs then name
    expect(all).toContain(hostname().toLowerCase());
  });
});
