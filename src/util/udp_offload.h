/* UDP GSO/GRO socket options, for C libraries whose headers predate them
 * (Linux 4.18 and 5.0). */
#ifndef RG_UTIL_UDP_OFFLOAD_H
#define RG_UTIL_UDP_OFFLOAD_H

#include <netinet/in.h>
#include <netinet/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#endif
