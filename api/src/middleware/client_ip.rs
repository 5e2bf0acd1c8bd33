//! The client's IP address, for rate limits, login protection and the access log. Forwarding
//! headers are believed only from proxies the operator lists (`HELPDESK_TRUSTED_PROXIES`, IPs or
//! CIDRs): the client is the rightmost `X-Forwarded-For` hop that is not a trusted proxy. A
//! client that sends its own `X-Forwarded-For` to us directly, or through a trusted proxy that
//! appends, cannot choose its address.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// One address or network, e.g. `10.0.0.0/8`, `192.168.1.10`, `::1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let network: IpAddr = addr.parse().map_err(|_| format!("{s:?} is not an IP address or CIDR"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                p.parse().ok().filter(|p| *p <= max).ok_or_else(|| format!("{s:?} has no valid prefix length"))?
            }
        };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip) = match (self.network, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(u32::from(n)) << 96, u128::from(u32::from(i)) << 96),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i)),
            _ => return false,
        };
        // IPv4 sits in the top 32 bits, so the prefix counts from the top either way.
        let width = u32::from(self.prefix);
        let mask = if width == 0 { 0 } else { u128::MAX << (128 - width) };
        net & mask == ip & mask
    }
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client of a request that reached us from `peer` with these `X-Forwarded-For` hops
    /// (left to right, as the header lists them).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[IpAddr]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        forwarded_for.iter().rev().copied().find(|hop| !self.trusts(*hop)).unwrap_or(peer)
    }
}

/// The client IP of a request (see the module documentation).
pub fn client_ip(req: &HttpRequest, proxies: &TrustedProxies) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().trim_matches(['[', ']']).parse().ok())
        .collect();
    Some(proxies.client(peer, &hops).to_canonical().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn cidrs_match_their_networks() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap_or(Cidr { network: ip("0.0.0.0"), prefix: 32 });
        assert!(net.contains(ip("10.1.2.3")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!("::1".parse::<Cidr>().is_ok_and(|c| c.contains(ip("::1"))));
        assert!("127.0.0.1".parse::<Cidr>().is_ok_and(|c| c.contains(ip("::ffff:127.0.0.1"))));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("proxy".parse::<Cidr>().is_err());
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let proxies = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap_or(Cidr { network: ip("10.0.0.0"), prefix: 8 })]);
        // A direct client cannot choose its address.
        assert_eq!(proxies.client(ip("203.0.113.9"), &[ip("1.2.3.4")]), ip("203.0.113.9"));
        // Behind our proxy, a forged leftmost value is ignored.
        assert_eq!(proxies.client(ip("10.0.0.2"), &[ip("1.2.3.4"), ip("198.51.100.7")]), ip("198.51.100.7"));
        // Through two of our proxies.
        assert_eq!(proxies.client(ip("10.0.0.2"), &[ip("198.51.100.7"), ip("10.0.0.3")]), ip("198.51.100.7"));
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
    }
}
