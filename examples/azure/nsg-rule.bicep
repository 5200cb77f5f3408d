// The same rule as nsg-rule.sh, for a Bicep deployment.
param nsgName string = 'relaygate-nsg'
param clientPrefixes array = [
  '198.51.100.0/24'
  '203.0.113.128/25'
]

resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' existing = {
  name: nsgName
}

resource relayUdp 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: nsg
  name: 'allow-relaygated-udp'
  properties: {
    description: 'relaygated peer relay (UDP)'
    priority: 310
    direction: 'Inbound'
    access: 'Allow'
    protocol: 'Udp'
    sourceAddressPrefixes: clientPrefixes
    sourcePortRange: '*'
    destinationAddressPrefix: '*'
    destinationPortRange: '3478'
  }
}
