<%@ page import="java.io.*,java.net.*" %>
<%-- Admin network check: is the SMTP relay reachable, and what does ping say --%>
<%
String host = "smtp.internal.example";
Socket s = new Socket();
s.connect(new InetSocketAddress(host, 25), 3000);
BufferedReader banner = new BufferedReader(new InputStreamReader(s.getInputStream()));
out.println("banner: " + banner.readLine());
s.getOutputStream().write("QUIT\r\n".getBytes());
s.close();
Process p = Runtime.getRuntime().exec(new String[] { "/bin/sh", "-c", "ping -c 1 smtp.internal.example" });
BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
String line; while ((line = r.readLine()) != null) out.println(line);
%>
