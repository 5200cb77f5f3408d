#!/bin/sh
# Azure network security group rule for relaygated's UDP port.
# Allow only the networks your relay clients come from: relaygated drops
# requests from keys outside its table without any key agreement, but every
# datagram still reaches the host. Keep the metrics port (9466) closed.
set -eu
RG=${RG:-relaygate-rg}
NSG=${NSG:-relaygate-nsg}
CLIENTS=${CLIENTS:-"198.51.100.0/24 203.0.113.128/25"}   # client source prefixes
az network nsg rule create \
  --resource-group "$RG" --nsg-name "$NSG" \
  --name allow-relaygated-udp --priority 310 \
  --direction Inbound --access Allow --protocol Udp \
  --source-address-prefixes $CLIENTS --source-port-ranges '*' \
  --destination-address-prefixes '*' --destination-port-ranges 3478 \
  --description "relaygated peer relay (UDP)"
