$RG probe --relay 127.0.0.1:3478
