$RG probe --relay 127.0.0.1:3478 --relay-key discokey:0000000000000000000000000000000000000000000000000000000000000000 --key /nonexistent/a.key --peer-key /nonexistent/b.key
