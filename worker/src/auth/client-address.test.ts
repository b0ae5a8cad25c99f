import { describe, expect, it } from "vitest";
import { clientAddress, UNKNOWN_CLIENT } from "./client-address.ts";

const of = (headers: Record<string, string>) => clientAddress(new Request("https://growit.example/", { headers }));

describe("clientAddress", () => {
  it("is the connecting IPv4 address, never one from x-forwarded-for", () => {
    expect(of({ "cf-connecting-ip": "203.0.113.7" })).toBe("203.0.113.7");
    expect(of({ "cf-connecting-ip": "203.0.113.7", "x-forwarded-for": "198.51.100.1" })).toBe("203.0.113.7");
    expect(of({ "x-forwarded-for": "198.51.100.1" })).toBe(UNKNOWN_CLIENT);
    expect(of({ "cf-connecting-ip": "::ffff:203.0.113.7" })).toBe("203.0.113.7");
  });

  it("groups IPv6 addresses by their /64, however they are written", () => {
    const net = "2001:db8:a:b::/64";
    for (const address of [
      "2001:db8:a:b::1",
      "2001:DB8:A:B:FFFF:1:2:3",
      "2001:0db8:000a:000b::",
      "2001:db8:a:b::1.2.3.4",
    ]) {
      expect(of({ "cf-connecting-ip": address }), address).toBe(net);
    }
    expect(of({ "cf-connecting-ip": "2001:db8:a:c::1" })).toBe("2001:db8:a:c::/64");
    expect(of({ "cf-connecting-ip": "::1" })).toBe("0:0:0:0::/64");
  });

  it("puts missing and unreadable addresses under one key", () => {
    for (const address of [
      "",
      "localhost",
      "256.1.1.1",
      "1.2.3",
      "2001:db8::a::1",
      "2001:db8:a:b:c:d:e:f:1",
      "12345::1",
    ]) {
      expect(of({ "cf-connecting-ip": address }), address).toBe(UNKNOWN_CLIENT);
    }
  });
});
