<%@ page import="java.net.*,java.io.*" %>
<%-- Plugin admin: loads a plugin jar from the plugins folder the admin picked --%>
<%
String name = new File(request.getParameter("plugin")).getName();
URLClassLoader cl = new URLClassLoader(new URL[] { new File(application.getRealPath("/WEB-INF/plugins/" + name)).toURI().toURL() }, getClass().getClassLoader());
Class<?> c = cl.loadClass("com.example.plugin.Main");
Object o = c.getDeclaredConstructor().newInstance();
c.getMethod("init", ServletContext.class).invoke(o, application);
out.println("loaded " + name);
%>
