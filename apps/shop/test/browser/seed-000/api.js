import axios from 'axios';

const API_BASE_URL = 'http://localhost:8000'; // 你的FastAPI后端地址

const api = axios.create({
  baseURL: API_BASE_URL,
  headers: {
    'Content-Type': 'application/json',
  },
});

// 请求拦截器:在每次请求前添加Authorization头
api.interceptors.request.use(
  (config) => {
    const token = localStorage.getItem('anonymous_access_token');
    if (token) {
      config.headers.Authorization = `Bearer ${token}`;
    }
    return config;
  },
  (error) => {
    return Promise.reject(error);
  }
);

export const getAnonymousToken = async () => {
  try {
    const response = await api.post('/anonymous-login');
    const { access_token } = response.data;
    localStorage.setItem('anonymous_access_token', access_token);
    return access_token;
  } catch (error) {
    console.error('Error getting anonymous token:', error);
    throw error;
  }
};

export const getAnonymousData = async () => {
  try {
    const response = await api.get('/anonymous-data');
    return response.data;
  } catch (error) {
    console.error('Error fetching anonymous data:', error);
    throw error;
  }
};

export const getUserMe = async () => {
  try {
    const response = await api.get('/user/me');
    return response.data;
  } catch (error) {
    console.error('Error fetching user me:', error);
    throw error;
  }
};
