/*
 * netcfg.c - bring up the guest's network with plain ioctls (no netlink, no
 * tools): lo always, eth0 with the static address of godwit.ip= and a
 * default route via godwit.gw=. A missing eth0 is reported, not fatal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

static void ifreq_init(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
}

static void sin_set(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = addr;
	memcpy(sa, &sin, sizeof(sin));
}

static int if_exists(int sock, const char *ifname)
{
	struct ifreq ifr;

	ifreq_init(&ifr, ifname);
	return ioctl(sock, SIOCGIFINDEX, &ifr) == 0;
}

/* Sets address and netmask of ifname and brings it up. */
static int if_configure(int sock, const char *ifname, uint32_t addr, uint32_t mask)
{
	struct ifreq ifr;

	ifreq_init(&ifr, ifname);
	sin_set(&ifr.ifr_addr, addr);
	if (ioctl(sock, SIOCSIFADDR, &ifr) != 0)
		goto fail;
	ifreq_init(&ifr, ifname);
	sin_set(&ifr.ifr_netmask, mask);
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0)
		goto fail;
	ifreq_init(&ifr, ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		goto fail;
	return 0;
fail:
	gw_say("net: %s: %s", ifname, strerror(errno));
	return -1;
}

static int route_add_default(int sock, const char *ifname, uint32_t gw)
{
	struct rtentry rt;
	char dev[IFNAMSIZ];

	memset(&rt, 0, sizeof(rt));
	strncpy(dev, ifname, sizeof(dev) - 1);
	dev[sizeof(dev) - 1] = '\0';
	sin_set(&rt.rt_dst, INADDR_ANY);
	sin_set(&rt.rt_genmask, INADDR_ANY);
	sin_set(&rt.rt_gateway, gw);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = dev;
	if (ioctl(sock, SIOCADDRT, &rt) != 0) {
		gw_say("net: default route via gateway: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void say_mac(int sock, const char *ifname)
{
	struct ifreq ifr;
	const unsigned char *m;

	ifreq_init(&ifr, ifname);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) != 0)
		return;
	m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
	gw_say("net: %s mac %02x:%02x:%02x:%02x:%02x:%02x", ifname, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void eth0_setup(int sock, const struct gw_config *cfg)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

	if (!if_exists(sock, "eth0")) {
		gw_say("net: eth0 not present, continuing without it");
		return;
	}
	say_mac(sock, "eth0");
	if (!cfg->have_ip) {
		gw_say("net: no godwit.ip= on the command line, eth0 left down");
		return;
	}
	if (!inet_ntop(AF_INET, &cfg->ip, ip, sizeof(ip)))
		strcpy(ip, "?");
	if (if_configure(sock, "eth0", cfg->ip, cfg->mask) != 0)
		return;
	if (!cfg->have_gw) {
		gw_say("net: eth0 %s/%u up", ip, cfg->prefix);
		return;
	}
	if (!inet_ntop(AF_INET, &cfg->gw, gw, sizeof(gw)))
		strcpy(gw, "?");
	if (route_add_default(sock, "eth0", cfg->gw) == 0)
		gw_say("net: eth0 %s/%u up, default gateway %s", ip, cfg->prefix, gw);
}

void gw_net_setup(const struct gw_config *cfg)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0) {
		gw_say("net: no IPv4 socket: %s; networking off", strerror(errno));
		return;
	}
	if (if_configure(sock, "lo", htonl(INADDR_LOOPBACK), htonl(0xff000000u)) == 0)
		gw_say("net: lo 127.0.0.1/8 up");
	eth0_setup(sock, cfg);
	close(sock);
}
